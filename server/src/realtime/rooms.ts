/** Socket.IO room names: a socket joins its organization's, its user's and its session's room. */
export function orgRoom(orgId: string): string {
  return `org:${orgId}`;
}

/** Every socket of one user (all tabs and devices). */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** The sockets opened with one login session's tokens: ended together with the session. */
export function sessionRoom(sessionId: string): string {
  return `session:${sessionId}`;
}
