// @ts-check
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
    globalIgnores(["rendered/", "bin/.tsc-out/", "dist/", "scratch/", "test/components/plan/fixtures/"]),
    js.configs.recommended,
    tseslint.configs.recommended,
    {
        rules: {
            // Deliberate: lazy loads (the CLI launcher registers tsx for CommonJS only; dynamic providers
            // require their cloud SDK inside the serialized functions) and untyped SDK internals.
            "@typescript-eslint/no-require-imports": "off",
            // `any` only at SDK and mock boundaries (gRPC stubs, invoke mocks, monitor.d.ts); tsc is strict.
            "@typescript-eslint/no-explicit-any": "off",
            // `const { clusters: _clusters, ...rest } = ...` drops a key (tsc's noUnusedLocals accepts it too).
            "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
            // A regex matching a Markdown table's empty cell `|  |` reads better with the two spaces.
            "no-regex-spaces": "off",
        },
    },
    {
        // bin/akko-audit.js, components/plan/{language-host,monitor}.js: CommonJS run by Node.
        files: ["**/*.js"],
        // `crypto: "off"`: monitor.js requires node:crypto under that name (Node also has a global `crypto`).
        languageOptions: { sourceType: "commonjs", globals: { ...globals.node, crypto: "off" } },
    },
    {
        // Tests use statement-level expressions on purpose: a ternary of two calls, `void _u, void _k;`.
        files: ["test/**/*.ts"],
        rules: { "@typescript-eslint/no-unused-expressions": "off" },
    },
    {
        // Pulumi's rules need type information: only on the program's code, not the tests.
        files: ["index.ts", "components/**/*.ts", "automation/**/*.ts", "cli/**/*.ts", "policy/**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
);
