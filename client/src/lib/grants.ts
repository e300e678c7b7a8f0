import { useEffect } from 'react';
import type { TRole } from '../../../server/src/contracts/common';
import { grantableRoles } from '../../../server/src/contracts/grants';
import { call, routes } from './api';
import { useAuth } from './auth';
import { useAsync } from './useAsync';

/**
 * The roles the signed-in user may grant in an organization (its own when none is named): the
 * hub's own grant table, so the forms never offer what the hub would refuse.
 */
export function useGrantableRoles(orgId?: string): TRole[] {
  const { session } = useAuth();
  const target = orgId ?? session?.user.orgId;
  const org = useAsync(
    () => (target ? call(routes.orgs.get, { params: { id: target } }) : Promise.resolve(undefined)),
    [target],
  );
  if (!session || !org.data) return [];

  return grantableRoles(session.user, org.data);
}

/** A new credential starts as a clerk where it may be one, else with the first role offered. */
export function defaultRoles(roles: TRole[]): TRole[] {
  return roles.includes('clerk') ? ['clerk'] : roles.slice(0, 1);
}

/** Puts the default roles into a form's `roles` field once the offer is known, until touched. */
export function useDefaultRoles(
  form: { isFieldTouched(name: 'roles'): boolean; setFieldValue(name: 'roles', v: TRole[]): void },
  roles: TRole[],
): void {
  const key = roles.join();
  useEffect(() => {
    if (!form.isFieldTouched('roles')) form.setFieldValue('roles', defaultRoles(roles));
    // keyed by the offer, not by the array's identity
  }, [form, key]);
}
