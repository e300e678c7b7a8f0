import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/**
 * A module is reached only through its index.ts (docs/architecture.md): from another module
 * (`../orgs/org.model.js`) and from the rest of server/src (`../modules/orgs/org.model.js`).
 */
const message = "Another module is reached only through its index.ts ('<module>/index.js').";
const fromModule = { regex: '^\\.\\./[a-z-]+/(?!index\\.js$)[^/]+$', message };
const intoModules = { regex: '(^|/)modules/[a-z-]+/(?!index\\.js$)[^/]+$', message };

/** Files that still reach past an index.ts while the migration goes on; empty when it is done. */
const allowList = [];

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'data/', 'client/dist/', 'client/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'warn',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['server/src/modules/*/**/*.ts'],
    ignores: allowList,
    rules: { 'no-restricted-imports': ['error', { patterns: [fromModule] }] },
  },
  {
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/modules/**', ...allowList],
    rules: { 'no-restricted-imports': ['error', { patterns: [intoModules] }] },
  },
  {
    // CommonJS by necessity (mocha loads its settings with require)
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    languageOptions: { globals: { ...globals.mocha } },
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
