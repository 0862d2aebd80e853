/*
 * test_guard_lambda.c — Lambda events under the guard's policy
 * (src/guard/lambda.c): which trigger an event comes from, and what is
 * allowed to reach the handler. The policy is tests/fixtures/guard/
 * lambda.yml without its WAF part (the WAF has its own test), so the cases
 * here are routes, auth, schemas, base64 bodies and malformed events; SQS
 * partial batches (FIFO groups included), S3 objects, message attributes;
 * Kinesis records (base64 data) and DynamoDB Streams records (items
 * unmarshalled), and their partial batches by sequence number.
 */
#include "slsec/guard.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char policy[] =
    "lambda:\n"
    "  sqs: {schema: schemas/message.json}\n"
    "  sns: {schema: schemas/message.json}\n"
    "  eventbridge: {schema: schemas/message.json}\n"
    "  kinesis: {schema: schemas/message.json}\n"
    "  dynamodb: {schema: schemas/dynamodb-item.json}\n"
    "routes:\n"
    "  - {name: public, method: GET, path: /public/**, auth: none}\n"
    "  - {name: create-order, method: POST, path: /orders, auth: none, schema: schemas/order.json,\n"
    "     limits: {max_body_bytes: 200}}\n"
    "  - {name: search, method: GET, path: /search, auth: none, query_schema: schemas/search-query.json}\n"
    "  - {name: order, method: GET, path: \"/customers/{customer}/orders/{id}\", auth: none,\n"
    "     path_schema: schemas/order-path.json}\n";

/* The same routes; SQS with partial batch responses, attributes checked,
 * S3 object keys checked. */
static const char policy_records[] =
    "lambda:\n"
    "  sqs: {schema: schemas/message.json, attributes_schema: schemas/message-attributes.json, partial_batch: true}\n"
    "  sns: {attributes_schema: schemas/message-attributes.json}\n"
    "  eventbridge: {attributes_schema: schemas/eventbridge-envelope.json}\n"
    "  s3: {schema: schemas/s3-object.json}\n"
    "routes:\n"
    "  - {name: public, method: GET, path: /public/**, auth: none}\n";

/* Kinesis and DynamoDB Streams with partial batch responses. */
static const char policy_streams[] =
    "lambda:\n"
    "  kinesis: {schema: schemas/message.json, attributes_schema: schemas/stream-attributes.json, partial_batch: true}\n"
    "  dynamodb: {schema: schemas/dynamodb-item.json, attributes_schema: schemas/stream-attributes.json,\n"
    "             partial_batch: true}\n"
    "routes:\n"
    "  - {name: public, method: GET, path: /public/**, auth: none}\n";

static slsec_guard_config *cfg, *cfg2, *cfg3;

static int load(const char *text, slsec_guard_config **out)
{
    slsec_diag d = {0};
    int rc = slsec_guard_config_parse("lambda.yml", text, strlen(text), SLSEC_SOURCE_DIR "/tests/fixtures/guard", out, &d);
    if (rc)
        fprintf(stderr, "%s:%d:%d: %s\n", d.file, d.line, d.col, d.message);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    return load(policy, &cfg) || load(policy_records, &cfg2) || load(policy_streams, &cfg3);
}

static int teardown(void **state)
{
    (void)state;
    slsec_guard_config_free(cfg);
    slsec_guard_config_free(cfg2);
    slsec_guard_config_free(cfg3);
    return 0;
}

static slsec_event_kind kind_of(const char *text)
{
    json_t *e = json_loads(text, 0, NULL);
    slsec_event_kind k = slsec_guard_event_kind(e);
    json_decref(e);
    return k;
}

static void kinds(void **state)
{
    (void)state;
    assert_int_equal(kind_of("{\"httpMethod\":\"GET\",\"path\":\"/\"}"), SLSEC_EVENT_HTTP);
    assert_int_equal(kind_of("{\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"rawPath\":\"/\"}"), SLSEC_EVENT_HTTP);
    assert_int_equal(kind_of("{\"Records\":[{\"eventSource\":\"aws:sqs\",\"body\":\"x\"}]}"), SLSEC_EVENT_SQS);
    assert_int_equal(kind_of("{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{}}]}"), SLSEC_EVENT_SNS);
    assert_int_equal(kind_of("{\"Records\":[{\"eventSource\":\"aws:s3\"}]}"), SLSEC_EVENT_S3);
    assert_int_equal(kind_of("{\"detail-type\":\"x\",\"source\":\"y\",\"detail\":{}}"), SLSEC_EVENT_EVENTBRIDGE);
    assert_int_equal(kind_of("{\"Records\":[{\"eventSource\":\"aws:kinesis\",\"kinesis\":{}}]}"), SLSEC_EVENT_KINESIS);
    assert_int_equal(kind_of("{\"Records\":[{\"eventSource\":\"aws:dynamodb\",\"dynamodb\":{}}]}"), SLSEC_EVENT_DYNAMODB);
    assert_int_equal(kind_of("{\"Records\":[]}"), SLSEC_EVENT_UNKNOWN);
    assert_int_equal(kind_of("[1]"), SLSEC_EVENT_UNKNOWN);
    assert_int_equal(slsec_guard_event_kind(NULL), SLSEC_EVENT_UNKNOWN);
}

static bool allowed(const char *event, char *why)
{
    return slsec_guard_event_allowed(cfg, NULL, event, strlen(event), 1800000000LL, 0, why, 200);
}

static void http_events(void **state)
{
    (void)state;
    char why[200];
    assert_true(allowed("{\"httpMethod\":\"GET\",\"path\":\"/public/a\"}", why));
    assert_false(allowed("{\"httpMethod\":\"GET\",\"path\":\"/private\"}", why));
    assert_string_equal(why, "no_route");
    assert_true(allowed("{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"body\":\"{\\\"item\\\":\\\"ABC-1234\\\",\\\"qty\\\":1}\"}", why));
    assert_false(allowed("{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"body\":\"{\\\"item\\\":\\\"x\\\",\\\"qty\\\":1}\"}", why));
    assert_string_equal(why, "schema: /item: pattern");
    /* the same valid body, base64 as API Gateway sends binary: decoded first */
    assert_true(allowed("{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"isBase64Encoded\":true,"
                        "\"body\":\"eyJpdGVtIjoiQUJDLTEyMzQiLCJxdHkiOjF9\"}", why));
    assert_false(allowed("{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"isBase64Encoded\":true,\"body\":\"***\"}", why));
    assert_string_equal(why, "malformed: the body is not base64");
    char big[600];
    snprintf(big, sizeof big, "{\"httpMethod\":\"POST\",\"path\":\"/orders\",\"body\":\"%0300d\"}", 0);
    assert_false(allowed(big, why));
    assert_string_equal(why, "body_size");
    assert_false(allowed("{\"httpMethod\":\"POST\"}", why));
    assert_false(allowed("not json", why));
    assert_string_equal(why, "malformed: the event is not JSON");
}

static void http_parameters(void **state)
{
    (void)state;
    char why[200];
    /* HTTP API (v2): the raw query string */
    assert_true(allowed("{\"rawPath\":\"/search\",\"rawQueryString\":\"q=a&limit=5\","
                        "\"requestContext\":{\"http\":{\"method\":\"GET\"}}}", why));
    assert_false(allowed("{\"rawPath\":\"/search\",\"rawQueryString\":\"q=a&limit=500\","
                         "\"requestContext\":{\"http\":{\"method\":\"GET\"}}}", why));
    assert_string_equal(why, "query_schema: query: /limit: maximum");
    /* REST API (v1): decoded maps, repeated keys in the multi-value one */
    assert_true(allowed("{\"httpMethod\":\"GET\",\"path\":\"/search\",\"queryStringParameters\":{\"q\":\"a b&c\"},"
                        "\"multiValueQueryStringParameters\":{\"q\":[\"a b&c\"],\"tag\":[\"x\",\"y\"]}}", why));
    assert_false(allowed("{\"httpMethod\":\"GET\",\"path\":\"/search\",\"queryStringParameters\":{\"limit\":\"5\"}}",
                         why));
    assert_string_equal(why, "query_schema: query: /: required");
    assert_false(allowed("{\"httpMethod\":\"GET\",\"path\":\"/search\"}", why));
    assert_true(allowed("{\"httpMethod\":\"GET\",\"path\":\"/customers/c1/orders/3\"}", why));
    assert_false(allowed("{\"httpMethod\":\"GET\",\"path\":\"/customers/c1/orders/-3\"}", why));
    assert_string_equal(why, "path_schema: path: /id: minimum");
}

static void record_events(void **state)
{
    (void)state;
    char why[200];
    assert_true(allowed("{\"Records\":[{\"eventSource\":\"aws:sqs\",\"body\":\"{\\\"orderId\\\":\\\"o-1\\\"}\"}]}", why));
    assert_false(allowed("{\"Records\":[{\"eventSource\":\"aws:sqs\",\"body\":\"{\\\"orderId\\\":\\\"o-1\\\"}\"},"
                         "{\"eventSource\":\"aws:sqs\",\"body\":\"plain text\"}]}", why));
    assert_string_equal(why, "record 1: the message is not JSON");
    assert_false(allowed("{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"Message\":\"{\\\"orderId\\\":7}\"}}]}", why));
    assert_string_equal(why, "record 0: schema: /orderId: type");
    assert_true(allowed("{\"detail-type\":\"t\",\"source\":\"s\",\"detail\":{\"orderId\":\"o-9\"}}", why));
    assert_false(allowed("{\"detail-type\":\"t\",\"source\":\"s\",\"detail\":{\"amount\":-1}}", why));
    /* S3 and unknown events pass: nothing configured for them */
    assert_true(allowed("{\"Records\":[{\"eventSource\":\"aws:s3\"}]}", why));
    assert_true(allowed("{\"anything\":1}", why));
}

/* ---- records, one by one ------------------------------------------------------------------ */

/* Events are written with single quotes for double ones: readable here. */
static char *q(const char *text)
{
    char *s = strdup(text);
    assert_non_null(s);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    return s;
}

static slsec_event_decision decide2(const char *event)
{
    char *e = q(event);
    slsec_event_decision d;
    slsec_guard_event_decide(cfg2, NULL, e, strlen(e), 1800000000LL, 0, &d);
    free(e);
    return d;
}

/* The JSON text of a decision's id list, for one-line comparisons. */
static void assert_ids(const json_t *ids, const char *want)
{
    char *got = json_dumps(ids, JSON_COMPACT);
    char *w = q(want);
    assert_non_null(got);
    assert_string_equal(got, w);
    free(got);
    free(w);
}

/* A PARTIAL decision: its kind, reason, failed and handed ids, and the
 * event handed to the handler. */
static void assert_partial(const slsec_event_decision *d, slsec_event_kind kind, const char *reason,
                           const char *failed, const char *handed, const char *event)
{
    assert_int_equal(d->action, SLSEC_EVENT_PARTIAL);
    assert_int_equal(d->kind, kind);
    assert_string_equal(d->reason, reason);
    assert_ids(d->failed, failed);
    assert_ids(d->handed, handed);
    char *want = q(event);
    assert_string_equal(d->event, want);
    assert_int_equal(d->event_len, strlen(want));
    free(want);
}

#define SQS(id, body) "{'messageId':'" id "','eventSource':'aws:sqs','eventSourceARN':'arn:aws:sqs:eu-west-1:1:q','body':'" body "'}"
#define GOOD "{\\'orderId\\':\\'o-1\\'}"
#define BAD "{\\'orderId\\':\\'DROP TABLE\\'}"

static void partial_batch(void **state)
{
    (void)state;
    /* some bad: the handler gets the others, untouched */
    slsec_event_decision d = decide2("{'Records':[" SQS("m1", GOOD) "," SQS("m2", "not json") "," SQS("m3", GOOD) "]}");
    assert_partial(&d, SLSEC_EVENT_SQS, "1 of 3 records refused: record 1: the message is not JSON", "['m2']",
                   "['m1','m3']", "{'Records':[" SQS("m1", GOOD) "," SQS("m3", GOOD) "]}");
    slsec_event_decision_free(&d);
    /* all bad: nothing for the handler */
    d = decide2("{'Records':[" SQS("m1", BAD) "," SQS("m2", "x") "]}");
    assert_int_equal(d.action, SLSEC_EVENT_ALL_FAILED);
    assert_ids(d.failed, "['m1','m2']");
    assert_null(d.event);
    assert_null(d.handed);
    slsec_event_decision_free(&d);
    /* all good: passed as it came */
    d = decide2("{'Records':[" SQS("m1", GOOD) "," SQS("m2", GOOD) "]}");
    assert_int_equal(d.action, SLSEC_EVENT_PASS);
    assert_null(d.failed);
    assert_null(d.event);
    slsec_event_decision_free(&d);
    /* a failure is reported by messageId: without a unique one, the batch goes whole */
    d = decide2("{'Records':[" SQS("m1", GOOD) ",{'eventSource':'aws:sqs','body':'x'}]}");
    assert_int_equal(d.action, SLSEC_EVENT_REFUSE);
    assert_non_null(strstr(d.reason, "no unique messageId"));
    slsec_event_decision_free(&d);
    d = decide2("{'Records':[" SQS("m1", GOOD) "," SQS("m1", BAD) "]}");
    assert_int_equal(d.action, SLSEC_EVENT_REFUSE);
    slsec_event_decision_free(&d);
    /* ...but an all-good batch needs none */
    d = decide2("{'Records':[{'eventSource':'aws:sqs','body':'" GOOD "'}]}");
    assert_int_equal(d.action, SLSEC_EVENT_PASS);
    slsec_event_decision_free(&d);
    /* without partial_batch, one bad record refuses the batch */
    char why[200];
    char *e = q("{'Records':[" SQS("m1", GOOD) "," SQS("m2", "x") "]}");
    assert_false(slsec_guard_event_allowed(cfg, NULL, e, strlen(e), 1800000000LL, 0, why, sizeof why));
    assert_string_equal(why, "record 1: the message is not JSON");
    free(e);
}

#define FIFO(id, group, body) "{'messageId':'" id "','eventSource':'aws:sqs','attributes':{'MessageGroupId':'" group "'},'body':'" body "'}"

static void partial_batch_fifo(void **state)
{
    (void)state;
    /* a refused record holds back the rest of its message group, not the other groups */
    slsec_event_decision d = decide2("{'Records':[" FIFO("f1", "A", BAD) "," FIFO("f2", "B", GOOD) "," FIFO("f3", "A", GOOD)
                                     "," FIFO("f4", "B", GOOD) "]}");
    assert_int_equal(d.action, SLSEC_EVENT_PARTIAL);
    assert_ids(d.failed, "['f1','f3']");
    assert_ids(d.handed, "['f2','f4']");
    assert_non_null(strstr(d.reason, "2 of 4 records refused: record 0: schema"));
    slsec_event_decision_free(&d);
    /* a .fifo queue's records without group ids: one group */
    d = decide2("{'Records':[{'messageId':'g1','eventSource':'aws:sqs','eventSourceARN':'arn:aws:sqs:r:1:q.fifo','body':'" GOOD "'},"
                "{'messageId':'g2','eventSource':'aws:sqs','eventSourceARN':'arn:aws:sqs:r:1:q.fifo','body':'x'},"
                "{'messageId':'g3','eventSource':'aws:sqs','eventSourceARN':'arn:aws:sqs:r:1:q.fifo','body':'" GOOD "'}]}");
    assert_int_equal(d.action, SLSEC_EVENT_PARTIAL);
    assert_ids(d.failed, "['g2','g3']");
    assert_ids(d.handed, "['g1']");
    slsec_event_decision_free(&d);
}

/* The handler's answer to the records it got, with the refused ones added. */
static void assert_merged(const char *response, const char *want)
{
    json_t *failed = json_pack("[s]", "m2"), *handed = json_pack("[s,s]", "m1", "m3");
    char *r = q(response);
    size_t n = 0;
    char *got = slsec_guard_batch_response(r, strlen(r), failed, handed, &n);
    char *w = q(want);
    assert_string_equal(got, w);
    assert_int_equal(n, strlen(got));
    free(got);
    free(w);
    free(r);
    json_decref(failed);
    json_decref(handed);
}

static void batch_responses(void **state)
{
    (void)state;
    /* what Lambda reads as "no failures": ours are the failures */
    assert_merged("", "{'batchItemFailures':[{'itemIdentifier':'m2'}]}");
    assert_merged(" null\n", "{'batchItemFailures':[{'itemIdentifier':'m2'}]}");
    assert_merged("{}", "{'batchItemFailures':[{'itemIdentifier':'m2'}]}");
    assert_merged("{'batchItemFailures':[]}", "{'batchItemFailures':[{'itemIdentifier':'m2'}]}");
    assert_merged("{'batchItemFailures':null}", "{'batchItemFailures':[{'itemIdentifier':'m2'}]}");
    /* the handler's own failures are kept, and so are its other members */
    assert_merged("{'note':1,'batchItemFailures':[{'itemIdentifier':'m3'}]}",
                  "{'note':1,'batchItemFailures':[{'itemIdentifier':'m3'},{'itemIdentifier':'m2'}]}");
    /* what fails the whole batch in Lambda is said with every record */
    const char *whole = "{'batchItemFailures':[{'itemIdentifier':'m1'},{'itemIdentifier':'m3'},{'itemIdentifier':'m2'}]}";
    assert_merged("'done'", whole);
    assert_merged("not json", whole);
    assert_merged("[]", whole);
    assert_merged("{'batchItemFailures':'m1'}", whole);
    assert_merged("{'batchItemFailures':[{'itemIdentifier':''}]}", whole);
    assert_merged("{'batchItemFailures':[{'itemIdentifier':null}]}", whole);
    assert_merged("{'batchItemFailures':[{'id':'m1'}]}", whole);
    assert_merged("{'batchItemFailures':['m1']}", whole);
    /* a record the handler was never given: it cannot have failed it */
    assert_merged("{'batchItemFailures':[{'itemIdentifier':'m2'}]}", whole);
    assert_merged("{'batchItemFailures':[{'itemIdentifier':'m9'}]}", whole);
    /* NUL bytes are not "no response" */
    json_t *failed = json_pack("[s]", "m2"), *handed = json_pack("[s]", "m1");
    size_t n;
    char *got = slsec_guard_batch_response("\0 \0", 3, failed, handed, &n);
    assert_string_equal(got, "{\"batchItemFailures\":[{\"itemIdentifier\":\"m1\"},{\"itemIdentifier\":\"m2\"}]}");
    free(got);
    json_decref(failed);
    json_decref(handed);
}

#define S3(bucket, key, extra) "{'Records':[{'eventSource':'aws:s3','eventName':'ObjectCreated:Put','s3':{'bucket':{'name':'" bucket "'},'object':{'key':'" key "'" extra "}}}]}"

static void s3_objects(void **state)
{
    (void)state;
    char why[200];
    char *e = q("{'eventName':'ObjectCreated:Put','requestParameters':{'sourceIPAddress':'198.51.100.1'},"
                "'s3':{'bucket':{'name':'b'},'object':{'key':'incoming/My+Photo%21.jpg','size':12,'versionId':'v1'}}}");
    json_t *rec = json_loads(e, 0, NULL);
    json_t *o = slsec_guard_s3_object(rec, why, sizeof why);
    char *text = json_dumps(o, JSON_COMPACT);
    char *want = q("{'eventName':'ObjectCreated:Put','bucket':'b','key':'incoming/My Photo!.jpg','size':12,"
                   "'versionId':'v1','sourceIPAddress':'198.51.100.1'}");
    assert_string_equal(text, want);
    free(want);
    free(text);
    json_decref(o);
    json_decref(rec);
    free(e);
    rec = json_pack("{s:{s:{s:s}}}", "s3", "object", "key", "a%zzb");
    assert_null(slsec_guard_s3_object(rec, why, sizeof why));
    assert_string_equal(why, "the object key is not percent-encoded UTF-8 text");
    json_decref(rec);

    slsec_event_decision d = decide2(S3("uploads", "incoming/cat+1.jpg", ",'size':100"));
    assert_int_equal(d.action, SLSEC_EVENT_PASS);
    assert_int_equal(d.kind, SLSEC_EVENT_S3);
    slsec_event_decision_free(&d);
    static const struct {
        const char *event, *reason;
    } refused[] = {
        {S3("uploads", "incoming/..%2F..%2Fetc%2Fpasswd", ""), "record 0: schema: /key: pattern"},
        {S3("uploads", "incoming/cat.exe", ""), "record 0: schema: /key: pattern"},
        {S3("other", "incoming/cat.jpg", ""), "record 0: schema: /bucket: const"},
        {S3("uploads", "incoming/cat.jpg", ",'size':999999999"), "record 0: schema: /size: maximum"},
        {S3("uploads", "incoming/%00.jpg", ""), "record 0: the object key is not percent-encoded UTF-8 text"},
        {"{'Records':[{'eventSource':'aws:s3','s3':{'bucket':{'name':'uploads'}}}]}", "record 0: schema: /: required"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        d = decide2(refused[i].event);
        assert_int_equal(d.action, SLSEC_EVENT_REFUSE);
        assert_string_equal(d.reason, refused[i].reason);
        slsec_event_decision_free(&d);
    }
}

static void message_attributes(void **state)
{
    (void)state;
    /* SNS: Number attributes arrive as text and are typed by the schema */
    slsec_event_decision d = decide2("{'Records':[{'EventSource':'aws:sns','Sns':{'Message':'x','MessageAttributes':"
                                     "{'priority':{'Type':'Number','Value':'3'},'tenant':{'Type':'String','Value':'t-7'}}}}]}");
    assert_int_equal(d.action, SLSEC_EVENT_PASS);
    slsec_event_decision_free(&d);
    d = decide2("{'Records':[{'EventSource':'aws:sns','Sns':{'Message':'x','MessageAttributes':"
                "{'priority':{'Type':'Number','Value':'12'}}}}]}");
    assert_int_equal(d.action, SLSEC_EVENT_REFUSE);
    assert_string_equal(d.reason, "record 0: attributes_schema: /priority: maximum");
    slsec_event_decision_free(&d);
    /* SQS: a record with bad attributes is refused like a bad body */
    d = decide2("{'Records':[" SQS("m1", GOOD) ",{'messageId':'m2','eventSource':'aws:sqs','body':'" GOOD "',"
                "'messageAttributes':{'tenant':{'dataType':'String','stringValue':'<script>'}}}]}");
    assert_int_equal(d.action, SLSEC_EVENT_PARTIAL);
    assert_ids(d.failed, "['m2']");
    assert_string_equal(d.reason, "1 of 2 records refused: record 1: attributes_schema: /tenant: pattern");
    slsec_event_decision_free(&d);
    /* EventBridge: the envelope says who sent the event */
    d = decide2("{'version':'0','detail-type':'OrderPlaced','source':'shop.orders','detail':{}}");
    assert_int_equal(d.action, SLSEC_EVENT_PASS);
    assert_int_equal(d.kind, SLSEC_EVENT_EVENTBRIDGE);
    slsec_event_decision_free(&d);
    d = decide2("{'version':'0','detail-type':'OrderPlaced','source':'someone.else','detail':{}}");
    assert_int_equal(d.action, SLSEC_EVENT_REFUSE);
    assert_string_equal(d.reason, "record 0: attributes_schema: /source: enum");
    slsec_event_decision_free(&d);
}

/* ---- Kinesis and DynamoDB Streams ---------------------------------------------------------- */

/* base64 of {"orderId":"o-1"}, {"orderId":"DROP TABLE"}, "plain text", "\0\1binary" */
#define K_GOOD "eyJvcmRlcklkIjoiby0xIn0="
#define K_BAD "eyJvcmRlcklkIjoiRFJPUCBUQUJMRSJ9"
#define K_TEXT "cGxhaW4gdGV4dA=="
#define K_BINARY "AAFiaW5hcnk="
#define KIN(seq, data) "{'eventSource':'aws:kinesis','kinesis':{'partitionKey':'pk-1','sequenceNumber':'" seq "','data':'" data "'}}"
#define DDB(seq, name, image) "{'eventSource':'aws:dynamodb','eventName':'" name "','dynamodb':{'SequenceNumber':'" seq "','SizeBytes':40," image "}}"
#define ORDER(id) "'NewImage':{'orderId':{'S':'" id "'},'qty':{'N':'2'}}"

static slsec_event_decision decide_with(slsec_guard_config *c, const char *event)
{
    char *e = q(event);
    slsec_event_decision d;
    slsec_guard_event_decide(c, NULL, e, strlen(e), 1800000000LL, 0, &d);
    free(e);
    return d;
}

/* What each record is checked on: Kinesis data decoded from base64, the
 * DynamoDB item unmarshalled (NewImage, else Keys); without partial_batch
 * one bad record refuses the batch. */
static void stream_records(void **state)
{
    (void)state;
    struct {
        const char *event, *reason; /* reason NULL: allowed */
    } cases[] = {
        {"{'Records':[" KIN("1", K_GOOD) "]}", NULL},
        {"{'Records':[" KIN("1", K_GOOD) "," KIN("2", K_BAD) "]}", "record 1: schema: /orderId: pattern"},
        {"{'Records':[" KIN("1", K_TEXT) "]}", "record 0: the message is not JSON"},
        {"{'Records':[" KIN("1", K_BINARY) "]}", "record 0: the message is not JSON"},
        {"{'Records':[" KIN("1", "***") "]}", "record 0: kinesis.data is not base64"},
        {"{'Records':[{'eventSource':'aws:kinesis','kinesis':{'sequenceNumber':'1'}}]}", "record 0: kinesis.data is missing"},
        {"{'Records':[" DDB("1", "INSERT", ORDER("o-1")) "]}", NULL},
        {"{'Records':[" DDB("1", "MODIFY", ORDER("o-1") ",'OldImage':{'orderId':{'S':'bad'}}") "]}", NULL},
        {"{'Records':[" DDB("1", "INSERT", ORDER("1 OR 1=1")) "]}", "record 0: schema: /orderId: pattern"},
        /* REMOVE (and KEYS_ONLY streams): the keys are what the handler reads */
        {"{'Records':[" DDB("1", "REMOVE", "'Keys':{'orderId':{'S':'o-2'}}") "]}", NULL},
        {"{'Records':[" DDB("1", "REMOVE", "'Keys':{'orderId':{'S':'../x'}}") "]}", "record 0: schema: /orderId: pattern"},
        {"{'Records':[" DDB("1", "INSERT", "'NewImage':{'orderId':{'X':'o-1'}}") "]}",
         "record 0: dynamodb.NewImage is not a DynamoDB item"},
        {"{'Records':[" DDB("1", "INSERT", "'NewImage':{'orderId':{'S':'o-1','N':'1'}}") "]}",
         "record 0: dynamodb.NewImage is not a DynamoDB item"},
        {"{'Records':[" DDB("1", "INSERT", "'Nothing':1") "]}", "record 0: dynamodb.Keys is not a DynamoDB item"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        slsec_event_decision d = decide_with(cfg, cases[i].event);
        if (!cases[i].reason && d.action != SLSEC_EVENT_PASS)
            fail_msg("case %zu refused: %s", i, d.reason);
        if (cases[i].reason && (d.action != SLSEC_EVENT_REFUSE || strcmp(d.reason, cases[i].reason) != 0))
            fail_msg("case %zu: action %d, reason '%s', want '%s'", i, d.action, d.reason, cases[i].reason);
        slsec_event_decision_free(&d);
    }
}

/* DynamoDB attribute values become the JSON the handler's SDK makes of
 * them, which the schema then types: numbers (integer or not), sets and
 * lists as arrays, maps as objects, NULL, BOOL, binary as its base64. */
static void dynamodb_items(void **state)
{
    (void)state;
    slsec_event_decision d = decide_with(cfg, "{'Records':[" DDB("1", "INSERT",
        "'NewImage':{'orderId':{'S':'o-1'},'qty':{'N':'3'},'price':{'N':'12.50'},'tags':{'SS':['a','b']},"
        "'sizes':{'NS':['1','2.5']},'lines':{'L':[{'S':'x'},{'N':'1'},{'M':{}}]},"
        "'address':{'M':{'zip':{'S':'75001'}}},'gift':{'BOOL':true},'note':{'NULL':true},'photo':{'B':'AAE='}}") "]}");
    if (d.action != SLSEC_EVENT_PASS)
        fail_msg("a valid item refused: %s", d.reason);
    slsec_event_decision_free(&d);
    struct {
        const char *image, *reason;
    } bad[] = {
        {"'NewImage':{'orderId':{'S':'o-1'},'qty':{'N':'1.5'}}", "record 0: schema: /qty: type"},
        {"'NewImage':{'orderId':{'S':'o-1'},'qty':{'N':'0'}}", "record 0: schema: /qty: minimum"},
        {"'NewImage':{'orderId':{'S':'o-1'},'price':{'N':'-0.01'}}", "record 0: schema: /price: minimum"},
        {"'NewImage':{'orderId':{'S':'o-1'},'tags':{'NS':['1']}}", "record 0: schema: /tags/0: type"},
        {"'NewImage':{'orderId':{'S':'o-1'},'address':{'M':{'zip':{'N':'75001'}}}}", "record 0: schema: /address/zip: type"},
        {"'NewImage':{'orderId':{'S':'o-1'},'qty':{'N':'one'}}", "record 0: dynamodb.NewImage is not a DynamoDB item"},
        {"'NewImage':{'orderId':{'S':'o-1'},'qty':{'N':'inf'}}", "record 0: dynamodb.NewImage is not a DynamoDB item"},
        {"'NewImage':{'orderId':{'S':'o-1'},'note':{'NULL':false}}", "record 0: dynamodb.NewImage is not a DynamoDB item"},
        {"'NewImage':{'orderId':{'S':'o-1'},'tags':{'SS':[1]}}", "record 0: dynamodb.NewImage is not a DynamoDB item"},
        {"'NewImage':{'orderId':{'S':'o-1'},'lines':{'L':['x']}}", "record 0: dynamodb.NewImage is not a DynamoDB item"},
        {"'NewImage':[]", "record 0: dynamodb.NewImage is not a DynamoDB item"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char event[1024];
        snprintf(event, sizeof event, "{'Records':[" DDB("1", "INSERT", "%s") "]}", bad[i].image);
        d = decide_with(cfg, event);
        if (d.action != SLSEC_EVENT_REFUSE || strcmp(d.reason, bad[i].reason) != 0)
            fail_msg("case %zu: action %d, reason '%s', want '%s'", i, d.action, d.reason, bad[i].reason);
        slsec_event_decision_free(&d);
    }
    /* nested deeper than SLSEC_GUARD_MAX_JSON_DEPTH: not an item we unmarshal */
    char deep[4096] = "";
    for (int i = 0; i < 70; i++)
        strcat(deep, "{'M':{'x':");
    strcat(deep, "{'S':'o'}");
    for (int i = 0; i < 70; i++)
        strcat(deep, "}}");
    char event[8192];
    snprintf(event, sizeof event, "{'Records':[" DDB("1", "INSERT", "'NewImage':{'orderId':{'S':'o-1'},'deep':%s}") "]}", deep);
    d = decide_with(cfg, event);
    assert_int_equal(d.action, SLSEC_EVENT_REFUSE);
    assert_string_equal(d.reason, "record 0: dynamodb.NewImage is not a DynamoDB item");
    slsec_event_decision_free(&d);
}

/* partial_batch on a stream: records are reported by sequence number, and
 * everything after the first refused record is held back with it (Lambda
 * resumes the shard at the lowest failed sequence number: a later record
 * the handler had processed would be processed again at each retry). */
static void stream_partial_batch(void **state)
{
    (void)state;
    slsec_event_decision d = decide_with(cfg3, "{'Records':[" KIN("101", K_GOOD) "," KIN("102", K_GOOD) "," KIN("103", K_BAD)
                                         "," KIN("104", K_GOOD) "]}");
    assert_partial(&d, SLSEC_EVENT_KINESIS, "2 of 4 records refused: record 2: schema: /orderId: pattern",
                   "['103','104']", "['101','102']", "{'Records':[" KIN("101", K_GOOD) "," KIN("102", K_GOOD) "]}");
    slsec_event_decision_free(&d);
    /* the first record refused: nothing for the handler */
    d = decide_with(cfg3, "{'Records':[" KIN("101", K_TEXT) "," KIN("102", K_GOOD) "]}");
    assert_int_equal(d.action, SLSEC_EVENT_ALL_FAILED);
    assert_ids(d.failed, "['101','102']");
    slsec_event_decision_free(&d);
    d = decide_with(cfg3, "{'Records':[" KIN("101", K_GOOD) "," KIN("102", K_GOOD) "]}");
    assert_int_equal(d.action, SLSEC_EVENT_PASS);
    slsec_event_decision_free(&d);
    /* the record's own fields: a partition key outside the pattern */
    d = decide_with(cfg3, "{'Records':[" KIN("101", K_GOOD) ",{'eventSource':'aws:kinesis','kinesis':{'partitionKey':'<x>',"
                          "'sequenceNumber':'102','data':'" K_GOOD "'}}]}");
    assert_int_equal(d.action, SLSEC_EVENT_PARTIAL);
    assert_string_equal(d.reason, "1 of 2 records refused: record 1: attributes_schema: /partitionKey: pattern");
    assert_ids(d.failed, "['102']");
    slsec_event_decision_free(&d);
    /* without a sequence number a record cannot be reported: the batch goes whole */
    d = decide_with(cfg3, "{'Records':[" KIN("101", K_GOOD) ",{'eventSource':'aws:kinesis','kinesis':{'data':'" K_BAD "'}}]}");
    assert_int_equal(d.action, SLSEC_EVENT_REFUSE);
    assert_non_null(strstr(d.reason, "(the whole batch: a record has no unique sequence number)"));
    slsec_event_decision_free(&d);
    /* DynamoDB: by dynamodb.SequenceNumber; eventName and SizeBytes are attributes */
    d = decide_with(cfg3, "{'Records':[" DDB("201", "INSERT", ORDER("o-1")) "," DDB("202", "REMOVE", "'Keys':{'orderId':{'S':'o-1'}}")
                          "," DDB("203", "INSERT", ORDER("o-3")) "]}");
    assert_partial(&d, SLSEC_EVENT_DYNAMODB, "2 of 3 records refused: record 1: attributes_schema: /eventName: enum",
                   "['202','203']", "['201']", "{'Records':[" DDB("201", "INSERT", ORDER("o-1")) "]}");
    slsec_event_decision_free(&d);
    /* the handler's answer for the records it got, merged as for SQS */
    json_t *failed = json_pack("[s,s]", "202", "203"), *handed = json_pack("[s]", "201");
    size_t n;
    char *merged = slsec_guard_batch_response("{}", 2, failed, handed, &n);
    assert_string_equal(merged, "{\"batchItemFailures\":[{\"itemIdentifier\":\"202\"},{\"itemIdentifier\":\"203\"}]}");
    free(merged);
    const char *own = "{\"note\":1,\"batchItemFailures\":[{\"itemIdentifier\":\"201\"}]}";
    merged = slsec_guard_batch_response(own, strlen(own), failed, handed, &n);
    assert_string_equal(merged, "{\"note\":1,\"batchItemFailures\":[{\"itemIdentifier\":\"201\"},"
                                "{\"itemIdentifier\":\"202\"},{\"itemIdentifier\":\"203\"}]}");
    free(merged);
    json_decref(failed);
    json_decref(handed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds),
        cmocka_unit_test(http_events),
        cmocka_unit_test(http_parameters),
        cmocka_unit_test(record_events),
        cmocka_unit_test(partial_batch),
        cmocka_unit_test(partial_batch_fifo),
        cmocka_unit_test(batch_responses),
        cmocka_unit_test(s3_objects),
        cmocka_unit_test(message_attributes),
        cmocka_unit_test(stream_records),
        cmocka_unit_test(dynamodb_items),
        cmocka_unit_test(stream_partial_batch),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
