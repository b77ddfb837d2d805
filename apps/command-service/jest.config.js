module.exports = {
  displayName: 'command-service',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/command-service',
};
