/** The report's schemas are part of the HTTP contract; the library keeps this path for its own. */
export * from '../../contracts/validation.js';
