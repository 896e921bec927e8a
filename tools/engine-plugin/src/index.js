'use strict';
// The plugin's generators, for programmatic use (tests, other generators); `nx g` reads generators.json.
const componentGenerator = require('./generators/component/generator.js');

module.exports = { componentGenerator };
