// The subset of mvdan-sh (mvdan.cc/sh/v3/syntax compiled to JavaScript) the tests use. The package
// ships no types; node shapes follow the Go API (https://pkg.go.dev/mvdan.cc/sh/v3/syntax).
declare module 'mvdan-sh' {
  export interface ShNode {
    [field: string]: unknown;
  }
  export interface ShFile extends ShNode {
    Stmts: ShNode[];
  }
  export interface ShParser {
    Parse(src: string, name: string): ShFile;
  }
  export const syntax: {
    NewParser(...options: unknown[]): ShParser;
    NodeType(node: unknown): string;
  };
  const sh: { syntax: typeof syntax };
  export default sh;
}
