/** A room's mailbox address: invite it from a calendar app to book the room. */
export function roomMailbox(slug: string, domain: string): string {
  return `${slug}@${domain}`;
}

/** The slug a mailbox address names when it is at our domain (case-insensitive), else undefined. */
export function slugOfMailbox(address: string, domain: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  if (address.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return undefined;
  return address.slice(0, at).toLowerCase();
}
