import { signV4, uriEncode } from "../../../shared/s3";

describe("signV4 (the S3 client of the live tests)", () => {
  test("GIVEN AWS' published 'GET Object' example WHEN it is signed THEN the signature is AWS' own", () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object".
    const payloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const header = signV4({
      method: "GET",
      path: "/test.txt",
      query: {},
      headers: {
        host: "examplebucket.s3.amazonaws.com",
        range: "bytes=0-9",
        "x-amz-content-sha256": payloadHash,
        "x-amz-date": "20130524T000000Z",
      },
      payloadHash,
      amzDate: "20130524T000000Z",
      credentials: {
        accessKey: "AKIAIOSFODNN7EXAMPLE",
        secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      },
    });
    expect(header).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
  });

  test("GIVEN reserved characters WHEN a path is encoded THEN slashes are kept and the rest is RFC 3986 encoded", () => {
    expect(uriEncode("/b/a b+c*~", true)).toBe("/b/a%20b%2Bc%2A~");
    expect(uriEncode("a/b", false)).toBe("a%2Fb");
  });
});
