module.exports = {
  displayName: 'orders-read-model',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/orders/read-model',
};
