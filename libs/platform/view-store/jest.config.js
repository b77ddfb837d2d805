module.exports = {
  displayName: 'view-store',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/platform/view-store',
};
