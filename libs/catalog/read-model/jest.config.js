module.exports = {
  displayName: 'catalog-read-model',
  preset: '../../../jest.preset.js',
  coverageDirectory: '../../../coverage/libs/catalog/read-model',
};
