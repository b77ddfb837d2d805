module.exports = {
  displayName: 'tools',
  preset: '../jest.preset.js',
  coverageDirectory: '../coverage/tools',
  // These tests each start whole stacks; one at a time keeps a 2-core machine responsive.
  maxWorkers: 1,
};
