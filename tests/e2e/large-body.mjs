// A large raw JSON body to type into, shared by the typing e2e test and `scripts/bench-typing.mjs`.

/** Where the typing goes: right after this text, inside an empty string midway through the body. */
export const TYPING_SPOT = '"typed here": "';

/** A valid raw body of about `size` bytes, one member per line, with a member to type into midway. */
export function largeBody(size) {
  const items = [];
  let length = 0;
  for (let index = 0; length < size; index += 1) {
    const item =
      `    {"line": ${index}, "deal": {{deal.id}}, "title": "Item ${index} of {{deal.title}}", ` +
      `"note": "Quarterly maintenance for line ${index}, billed monthly"}`;
    items.push(item);
    length += item.length + 2;
  }
  const middle = Math.floor(items.length / 2);
  items.splice(middle, 0, `    {${TYPING_SPOT}"}`);
  return `{\n  "items": [\n${items.join(",\n")}\n  ]\n}`;
}
