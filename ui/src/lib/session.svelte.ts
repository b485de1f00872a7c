// What the signed-in user may do, as the core's `entity.action` names (`customer.create`, ...).
// The window offers only those; the core refuses the rest anyway (this only spares a click that
// would end in "You are not allowed to ...").
export const session = $state({
  allowed: [] as string[],
  /** Customer fields the user's roles hide (`phones`, `custom.vip`). */
  hidden: [] as string[],
  /** Customer fields the user may not change (the hidden ones included). */
  locked: [] as string[],
  /** The policies that turn a feature off on this desktop (`ImportEnabled`, ...). */
  turnedOff: [] as string[],
});

export function setTurnedOff(list: string[] | null | undefined): void {
  session.turnedOff = list ?? [];
}

/** The policy turning this feature off (`ImportEnabled`), if one does. */
export function turnedOff(policy: string): boolean {
  return session.turnedOff.includes(policy);
}

export function setAllowed(list: string[] | null | undefined): void {
  session.allowed = list ?? [];
}

/** The customer field rules of the signed-in user (none when signed out). */
export function setFieldRules(hidden: string[] | null | undefined, locked: string[] | null | undefined): void {
  session.hidden = hidden ?? [];
  session.locked = locked ?? [];
}

export function can(what: string): boolean {
  return session.allowed.includes(what);
}

/** The user's roles hide this customer field (`phones`, `custom.vip`). */
export function hiddenField(field: string): boolean {
  return session.hidden.includes(field);
}

/** The user may not change this customer field. */
export function lockedField(field: string): boolean {
  return session.locked.includes(field);
}
