import { strict as assert } from "node:assert";
import { amzDate, awsUriEncode, sha256HexOf, signV4 } from "../../../../components/logs/evidence/stores/sigv4";

/**
 * AWS's published SigV4 examples. get-vanilla and post-vanilla: the AWS Signature Version 4 test suite
 * (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html; also awslabs/aws-c-auth
 * tests/aws-sig-v4-test-suite/{get,post}-vanilla), credentials AKIDEXAMPLE, region us-east-1, service
 * "service", 20150830T123600Z. The S3 examples: "Examples: Signature calculations in AWS Signature Version 4"
 * for S3's header-based auth (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
 */
const SUITE = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const S3_DOC = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const EMPTY = sha256HexOf("");

describe("evidence stores: AWS Signature Version 4 against AWS's published examples", () => {
    it("get-vanilla", () => {
        const r = signV4({
            method: "GET",
            path: "/",
            query: {},
            headers: { Host: "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z" },
            payloadHash: EMPTY,
            region: "us-east-1",
            service: "service",
            credentials: SUITE,
        });
        assert.equal(
            r.canonicalRequest,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        );
        assert.equal(
            r.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        );
    });

    it("post-vanilla", () => {
        const r = signV4({
            method: "POST",
            path: "/",
            query: {},
            headers: { Host: "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z" },
            payloadHash: EMPTY,
            region: "us-east-1",
            service: "service",
            credentials: SUITE,
        });
        assert.equal(
            r.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        );
    });

    it("get-vanilla-query-order-key-case: query parameters sorted before signing", () => {
        const r = signV4({
            method: "GET",
            path: "/",
            query: { Param2: "value2", Param1: "value1" },
            headers: { Host: "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z" },
            payloadHash: EMPTY,
            region: "us-east-1",
            service: "service",
            credentials: SUITE,
        });
        assert.match(r.authorization, /Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/);
    });

    it("S3 GET Object example (Range, x-amz-content-sha256)", () => {
        const r = signV4({
            method: "GET",
            path: "/test.txt",
            query: {},
            headers: { Host: "examplebucket.s3.amazonaws.com", Range: "bytes=0-9", "x-amz-content-sha256": EMPTY, "x-amz-date": "20130524T000000Z" },
            payloadHash: EMPTY,
            region: "us-east-1",
            service: "s3",
            credentials: S3_DOC,
        });
        assert.equal(
            r.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        );
    });

    it("S3 GET Bucket (list objects) example: a query string", () => {
        const r = signV4({
            method: "GET",
            path: "/",
            query: { "max-keys": "2", prefix: "J" },
            headers: { Host: "examplebucket.s3.amazonaws.com", "x-amz-content-sha256": EMPTY, "x-amz-date": "20130524T000000Z" },
            payloadHash: EMPTY,
            region: "us-east-1",
            service: "s3",
            credentials: S3_DOC,
        });
        assert.match(r.authorization, /Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/);
    });

    it("URI encoding and the date format", () => {
        assert.equal(awsUriEncode("edge/0000000001-window-20261201T100000Z.json", true), "edge/0000000001-window-20261201T100000Z.json");
        assert.equal(awsUriEncode("a b+c/é", false), "a%20b%2Bc%2F%C3%A9");
        assert.equal(amzDate(Date.parse("2015-08-30T12:36:00.000Z")), "20150830T123600Z");
        assert.throws(
            () =>
                signV4({
                    method: "GET",
                    path: "/",
                    query: {},
                    headers: { host: "h" },
                    payloadHash: EMPTY,
                    region: "r",
                    service: "s",
                    credentials: SUITE,
                }),
            new Error("SigV4: the request has no x-amz-date header"),
        );
    });
});
