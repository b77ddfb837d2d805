module.exports = {
  displayName: 'decider',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/platform/decider',
};
