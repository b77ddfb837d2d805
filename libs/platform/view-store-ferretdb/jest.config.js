module.exports = {
  displayName: 'view-store-ferretdb',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/platform/view-store-ferretdb',
};
