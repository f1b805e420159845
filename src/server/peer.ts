// Who a connection counts as, for the limits that keep one client from taking what every
// other client needs (the token form's wrong tokens, connection slots).

import { isIPv6 } from "node:net";

/** Who a connection counts as: its IPv4 address, or its IPv6 network (/64), since whoever
 * holds one IPv6 address holds the 2^64 of its network. */
export function peerKey(address: string | undefined): string {
  if (!address) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  const bare = address.split("%")[0] as string;
  if (!isIPv6(bare)) return bare;
  const [head = "", tail] = bare.toLowerCase().split("::");
  const words = (part: string | undefined) => (part ? part.split(":") : []);
  const given = [...words(head), ...words(tail)];
  const groups =
    tail === undefined
      ? given
      : [...words(head), ...Array(8 - given.length).fill("0"), ...words(tail)];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
