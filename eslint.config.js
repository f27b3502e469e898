import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
  },
  {
    // The UI runs in the browser: its globals, and JSX.
    files: ['ui/**/*.tsx', 'ui/src/**/*.ts'],
    languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } }, globals: { window: 'readonly', document: 'readonly', FormData: 'readonly', URLSearchParams: 'readonly', Response: 'readonly', HTMLElement: 'readonly', HTMLDivElement: 'readonly', HTMLAnchorElement: 'readonly', HTMLFormElement: 'readonly' } },
  },
);
