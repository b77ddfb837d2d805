module.exports = {
  displayName: 'projection',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/platform/projection',
};
