/**
 * Runs first in the Kusto language worker: the language service's scripts (Bridge.NET output) find
 * their global object as `global` when they see a CommonJS `module`, which a bundle gives them; a
 * worker's global object is `self`.
 */
(self as unknown as { global: unknown }).global = self;
