// Kept equal to package.json's version by a test (test/version.test.ts).
export const TOOL_VERSION = '0.1.0'
