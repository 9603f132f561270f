import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "out/", "schemas/", "coverage/", "**/node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "error",
    },
  },
  {
    // Every foreseeable failure is a DevstackError with a kind and a fix; a real bug is an InternalError (src/errors.ts).
    files: ["src/**/*.ts"],
    ignores: ["src/**/*.test.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "NewExpression[callee.name='Error']",
          message: "throw a DevstackError with a kind and a fix (or an InternalError for a bug), not a bare Error",
        },
      ],
    },
  },
  {
    files: ["scripts/**", "bin/**", "examples/**", "eslint.config.js"],
    rules: { "no-console": "off" },
  },
);
