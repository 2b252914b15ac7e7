/**
 * Makes a lazy stand-in class pass for a fetch class (`Request`, `Response`): its
 * instances are `instanceof` the fetch class, and every property and method of the fetch
 * class's prototype that the stand-in does not define itself runs on a real instance the
 * stand-in builds on first use. What the Node release adds to the fetch class is forwarded
 * too, without a list to keep up to date.
 *
 * @module
 */

/**
 * Puts `base` under `standIn`'s prototype and forwards to `real(this)` every getter and
 * method of `base.prototype` that `standIn.prototype` does not have.
 */
export function forwardToReal<T extends object>(
  standIn: abstract new (...args: never[]) => T,
  base: { prototype: object },
  real: (self: T) => object,
): void {
  const prototype = standIn.prototype as object;
  Object.setPrototypeOf(prototype, base.prototype);
  for (const key of Reflect.ownKeys(base.prototype)) {
    if (key === "constructor" || Object.hasOwn(prototype, key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(base.prototype, key)!;
    const { get, value } = descriptor;
    if (get !== undefined) {
      Object.defineProperty(prototype, key, {
        configurable: true,
        enumerable: descriptor.enumerable,
        get(this: T) {
          return get.call(real(this));
        },
      });
    } else if (typeof value === "function") {
      Object.defineProperty(prototype, key, {
        configurable: true,
        enumerable: descriptor.enumerable,
        writable: true,
        value: function (this: T, ...args: unknown[]) {
          return value.apply(real(this), args);
        },
      });
    }
  }
}
