/*
 * junit.c — JUnit XML, the test report every CI system displays.
 *
 * One <testsuite name="slsec">; one failing <testcase> per finding
 * (classname = rule id, name = "resource (file:line)", failure type =
 * severity), suppressed findings as <skipped> cases when asked for, and a
 * passing "slsec scan" case when nothing failed, so a clean scan is a green
 * report rather than an empty one. `file` and `line` attributes let
 * annotators link a case to the template.
 *
 * Messages carry template bytes: xml_text() emits only characters XML 1.0
 * allows (control bytes other than tab and newline dropped, invalid UTF-8
 * and U+FFFE/U+FFFF replaced by U+FFFD) and escapes markup.
 */
#include "report_internal.h"

#include <string.h>

static void xml_text(slsec_buf *b, const char *s, bool attr)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = slsec_utf8_decode(p + i, n - i, &cp);
        if (k == 0) {
            slsec_buf_puts(b, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        switch (cp) {
        case '&':
            slsec_buf_puts(b, "&amp;");
            break;
        case '<':
            slsec_buf_puts(b, "&lt;");
            break;
        case '>':
            slsec_buf_puts(b, "&gt;");
            break;
        case '"':
            slsec_buf_puts(b, "&quot;");
            break;
        case '\'':
            slsec_buf_puts(b, "&apos;");
            break;
        case '\n':
            /* A raw newline in an attribute is normalised to a space. */
            slsec_buf_puts(b, attr ? "&#10;" : "\n");
            break;
        case '\t':
            slsec_buf_puts(b, attr ? "&#9;" : "\t");
            break;
        default:
            if (cp < 0x20)
                break;
            if (cp == 0xFFFE || cp == 0xFFFF)
                slsec_buf_puts(b, "\xEF\xBF\xBD");
            else
                slsec_buf_append(b, s + i, k);
        }
        i += k;
    }
}

static void loc_text(slsec_buf *b, slsec_loc loc, bool with_col)
{
    slsec_buf_puts(b, loc.file ? loc.file : "(no file)");
    if (loc.line > 0) {
        slsec_buf_printf(b, ":%d", loc.line);
        if (with_col && loc.col > 0)
            slsec_buf_printf(b, ":%d", loc.col);
    }
}

static void testcase_open(slsec_buf *b, const slsec_finding *f)
{
    const slsec_rule *rule = slsec_rpt_rule(f);
    slsec_buf name;
    slsec_buf_init(&name);
    if (f->resource) {
        slsec_buf_puts(&name, f->resource);
        if (f->loc.file) {
            slsec_buf_puts(&name, " (");
            loc_text(&name, f->loc, false);
            slsec_buf_putc(&name, ')');
        }
    } else {
        loc_text(&name, f->loc, false);
    }
    slsec_buf_puts(b, "    <testcase classname=\"");
    xml_text(b, rule->id, true);
    slsec_buf_puts(b, "\" name=\"");
    xml_text(b, name.data, true);
    slsec_buf_putc(b, '"');
    slsec_buf_free(&name);
    if (f->loc.file) {
        slsec_buf_puts(b, " file=\"");
        xml_text(b, f->loc.file, true);
        slsec_buf_putc(b, '"');
        if (f->loc.line > 0)
            slsec_buf_printf(b, " line=\"%d\"", f->loc.line);
    }
    slsec_buf_puts(b, ">\n");
}

static void details(slsec_buf *b, const slsec_finding *f)
{
    const slsec_rule *rule = slsec_rpt_rule(f);
    slsec_buf d;
    slsec_buf_init(&d);
    slsec_buf_printf(&d, "%s %s: %s\n", slsec_severity_name(f->severity), rule->id,
                     rule->title ? rule->title : "");
    slsec_buf_printf(&d, "%s\n", f->message ? f->message : "");
    if (f->resource)
        slsec_buf_printf(&d, "resource: %s%s%s%s\n", f->resource, f->resource_type ? " (" : "",
                         f->resource_type ? f->resource_type : "", f->resource_type ? ")" : "");
    slsec_buf_puts(&d, "at ");
    loc_text(&d, f->loc, true);
    slsec_buf_putc(&d, '\n');
    for (size_t i = 0; i < f->related_count && i < SLSEC_MAX_RELATED; i++) {
        slsec_buf_puts(&d, "see ");
        loc_text(&d, f->related[i], true);
        if (f->related_msg[i])
            slsec_buf_printf(&d, " %s", f->related_msg[i]);
        slsec_buf_putc(&d, '\n');
    }
    slsec_buf hint;
    slsec_buf_init(&hint);
    slsec_rpt_fix_hint(&hint, rule);
    if (hint.len)
        slsec_buf_printf(&d, "fix: %s\n", hint.data);
    slsec_buf_free(&hint);
    slsec_buf_printf(&d, "fingerprint: %s", f->fingerprint);
    xml_text(b, d.data, false);
    slsec_buf_free(&d);
}

int slsec_rpt_junit(FILE *out, const slsec_scan_result *r, const slsec_report_opts *opts)
{
    size_t failures = 0, skipped = 0;
    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (!f || !slsec_rpt_visible(f, opts))
            continue;
        if (f->suppressed)
            skipped++;
        else
            failures++;
    }
    size_t tests = failures + skipped + (failures == 0);

    slsec_buf b;
    slsec_buf_init(&b);
    slsec_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    slsec_buf_printf(&b,
                     "<testsuites name=\"slsec\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
                     "skipped=\"%zu\">\n",
                     tests, failures, skipped);
    slsec_buf_printf(&b,
                     "  <testsuite name=\"slsec\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
                     "skipped=\"%zu\">\n",
                     tests, failures, skipped);
    slsec_buf_puts(&b, "    <properties>\n");
    slsec_buf_puts(&b, "      <property name=\"slsec.version\" value=\"" SLSEC_VERSION "\"/>\n");
    slsec_buf_printf(&b, "      <property name=\"slsec.templates\" value=\"%zu\"/>\n", r->templates);
    slsec_buf_printf(&b, "      <property name=\"slsec.files\" value=\"%zu\"/>\n", r->files_seen);
    slsec_buf_printf(&b, "      <property name=\"slsec.suppressed\" value=\"%zu\"/>\n", r->suppressed);
    slsec_buf_printf(&b, "      <property name=\"slsec.warnings\" value=\"%zu\"/>\n",
                     r->warnings.count);
    slsec_buf_puts(&b, "    </properties>\n");

    for (size_t i = 0; i < r->findings.count; i++) {
        const slsec_finding *f = r->findings.items[i];
        if (!f || !slsec_rpt_visible(f, opts))
            continue;
        testcase_open(&b, f);
        if (f->suppressed) {
            slsec_buf_puts(&b, "      <skipped message=\"");
            slsec_buf suppression;
            slsec_buf_init(&suppression);
            slsec_buf_puts(&suppression, "suppressed: ");
            slsec_buf_puts(&suppression, f->suppression ? f->suppression : "(no reason given)");
            xml_text(&b, suppression.data, true);
            slsec_buf_free(&suppression);
            slsec_buf_puts(&b, "\"/>\n");
        } else {
            slsec_buf_puts(&b, "      <failure message=\"");
            xml_text(&b, f->message ? f->message : "", true);
            slsec_buf_printf(&b, "\" type=\"%s\">", slsec_severity_name(f->severity));
            details(&b, f);
            slsec_buf_puts(&b, "</failure>\n");
        }
        slsec_buf_puts(&b, "    </testcase>\n");
    }
    if (failures == 0)
        slsec_buf_puts(&b, "    <testcase classname=\"slsec\" name=\"slsec scan\"/>\n");
    slsec_buf_puts(&b, "  </testsuite>\n</testsuites>\n");
    return slsec_rpt_flush(out, &b);
}
