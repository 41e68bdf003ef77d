export * from './assets.js';
export * from './functions.js';
export * from './checks.js';
export * from './events.js';
export * from './tokens.js';
