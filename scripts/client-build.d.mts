export const CLIENT_DIST: string;
export function ensureClientBuild(loadVite: () => Promise<typeof import('vite')>): Promise<boolean>;
