module.exports = {
  displayName: 'write-store',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/platform/write-store',
};
