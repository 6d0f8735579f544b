// Tiny stand-in for runtime/dist/keyserver.cjs in unit tests.
console.log("keyserver fixture");
