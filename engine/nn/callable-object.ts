// What makes `model(x)` work: JavaScript calls only functions, so the constructor of a callable
// object returns a function whose prototype is the class being built (`new.target.prototype`).
// Fields, methods, `instanceof` and private fields then behave as on any instance, because a
// subclass initialises its fields on whatever its base constructor returns.
//
// The function is an arrow function (no own `prototype`), and its own `name` and `length` are
// deleted: a class field or getter of those names (`name = "encoder"`, ModuleList's `length`)
// must not meet a function's read-only properties. Its prototype chain skips Function.prototype,
// so `call`, `apply` and `bind` are not methods of a module.

interface HasForward {
  forward(...inputs: unknown[]): unknown;
}

/** A base class whose instances are functions: calling one runs its `forward` method. */
export class CallableObject {
  constructor() {
    const callable = (...inputs: unknown[]): unknown => (callable as unknown as HasForward).forward(...inputs);
    delete (callable as { name?: string }).name;
    delete (callable as { length?: number }).length;
    Object.setPrototypeOf(callable, new.target.prototype);
    // biome-ignore lint/correctness/noConstructorReturn: returning the function is what makes instances callable.
    return callable as unknown as CallableObject;
  }
}
