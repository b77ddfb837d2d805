module.exports = {
  displayName: 'query-service',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/query-service',
};
