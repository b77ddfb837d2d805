module.exports = {
  displayName: 'orders-domain',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/orders/domain',
};
