import { ErrKeyNotFound, KesError } from "../../../runtime/src/errors";

describe("KesError", () => {
  test("GIVEN the same status and message WHEN compared with is() THEN it matches, as Go's errors.Is does", () => {
    expect(ErrKeyNotFound.is(new KesError(404, "key does not exist"))).toBe(true);
  });

  test("GIVEN another status with the same message WHEN compared THEN it does not match", () => {
    expect(ErrKeyNotFound.is(new KesError(400, "key does not exist"))).toBe(false);
  });
});
