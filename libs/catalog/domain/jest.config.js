module.exports = {
  displayName: 'catalog-domain',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/catalog/domain',
};
