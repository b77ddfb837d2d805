module.exports = {
  displayName: 'logging',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/platform/logging',
};
