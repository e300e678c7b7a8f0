/**
 * What the auditor's figures are over, shared by stats and revalidation: the Vietnam calendar
 * (days, periods, ranges) and the scope (an organization and its subtree, as the caller may see).
 */
export * from './calendar.js';
export { resolveScope, type Scope } from './scope.js';
