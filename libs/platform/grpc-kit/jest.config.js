module.exports = {
  displayName: 'grpc-kit',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/platform/grpc-kit',
};
