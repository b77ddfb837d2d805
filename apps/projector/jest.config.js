module.exports = {
  displayName: 'projector',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/projector',
};
