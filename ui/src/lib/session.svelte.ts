// What the signed-in user may do, as the core's `entity.action` names (`customer.create`, ...).
// The window offers only those; the core refuses the rest anyway (this only spares a click that
// would end in "You are not allowed to ...").
export const session = $state({ allowed: [] as string[] });

export function setAllowed(list: string[] | null | undefined): void {
  session.allowed = list ?? [];
}

export function can(what: string): boolean {
  return session.allowed.includes(what);
}
