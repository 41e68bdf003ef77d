// What global-setup.ts (in Node) provides to the tests inside workerd; seen by both tsconfigs.
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    fixtureUrl: string;
  }
}
