/*
 * Detection over ../shared/corpus (real public logs we may test on, not ship; $PMT_CORPUS
 * overrides the path; skipped when absent): every file is detected as the format its
 * SOURCES.md names and parses with no unparsed line but the genuinely broken ones, listed
 * here with the reason. That is every file of the corpus but nginx.conf (a configuration, used
 * here to read the custom-format access logs it wrote) and the licence.
 */
#include "testutil.h"

#include "pmt/run.h"

static const struct {
    const char *file, *format;
    int unparsed;
    const char *why; /* of the unparsed lines */
} corpus[] = {
    {"crowdsec-hub/nginx-http-malformed/nginx_http-logs.log", "nginx-access", 0, NULL},
    {"crowdsec-hub/nginx_http-logs/nginx_http-logs.log", "nginx-access", 1,
     "line 8 lacks the remote_user field (a parser fixture's bad line); line 9, an nginx "
     "error line among the access lines, is read as nginx-error"},
    {"crowdsec-hub/nginx_req_limit_exceeded/nginx_req_limit_exceeded.log", "nginx-error", 0, NULL},
    {"crowdsec-hub/pfsense-rfc5424-nginx/pfsense-rfc5424-nginx.log", "syslog", 0, NULL},
    {"elastic-beats/apache-access/test-vhost.log", "nginx-access", 0, NULL},
    {"elastic-beats/apache-error/test.log", "apache-error", 0, NULL},
    {"elastic-beats/nginx-access/access.log", "nginx-access", 0, NULL},
    {"elastic-beats/nginx-access/test.log", "nginx-access", 0, NULL},
    {"elastic-beats/nginx-error/error.log", "nginx-error", 0, NULL},
    {"elastic-beats/system-syslog/darwin-syslog-sample.log", "syslog", 0, NULL},
    {"elastic-beats/system-syslog/suse-syslog.log", "syslog", 0, NULL},
    {"elastic-beats/system-syslog/tz-offset.log", "syslog", 0, NULL},
    {"elastic-examples/apache_logs", "nginx-access", 0, NULL},
    {"elastic-examples/auth.log", "syslog", 0, NULL},
    {"lnav/logfile_access_log.0", "nginx-access", 0, NULL},
    {"lnav/logfile_access_log.1", "nginx-access", 0, NULL},
    {"lnav/logfile_dst.0", "syslog", 0, NULL},
    {"lnav/logfile_haproxy.0", "syslog", 0, NULL},
    {"lnav/logfile_shop_access_log.0", "nginx-access", 0, NULL},
    {"lnav/logfile_syslog.0", "syslog", 0, NULL},
    {"lnav/logfile_syslog.3", "syslog", 0, NULL},
    {"lnav/logfile_syslog_with_mixed_times.0", "syslog", 0, NULL},
    {"lnav/logfile_with_zones.0", "syslog", 0, NULL},
    {"local-generated/apache2/access_log", "nginx-access", 0, NULL},
    {"local-generated/apache2/access_log.common", "nginx-access", 0, NULL},
    {"local-generated/apache2/access_log.usec", "nginx-access", 0, NULL},
    {"local-generated/apache2/error_log", "apache-error", 0, NULL},
    {"local-generated/apache2/other_vhosts_access.log", "nginx-access", 0, NULL},
    {"local-generated/nginx/access.log", "nginx-access", 0, NULL},
    {"local-generated/nginx/access_main.log", "nginx-access", 0, NULL},
    {"local-generated/nginx/access_timed.log", "nginx-access", 0, NULL}, /* via nginx.conf */
    {"local-generated/nginx/access_vhost.log", "nginx-access", 0, NULL},
    {"local-generated/nginx/error.log", "nginx-error", 0, NULL},
    {"local-generated/rsyslog/messages", "syslog", 0, NULL},
    {"local-generated/rsyslog/messages.precise", "syslog", 0, NULL},
    {"local-generated/rsyslog/messages.rfc5424", "syslog", 0, NULL},
    {"loghub/Apache_2k.log", "apache-error", 0, NULL},
    {"loghub/Linux_2k.log", "syslog", 0, NULL},
    {"loghub/Mac_2k.log", "syslog", 0, NULL},
    {"loghub/OpenSSH_2k.log", "syslog", 0, NULL},
    {"plaso/apache_access.log", "nginx-access", 0, NULL},
    {"plaso/syslog.gz", "syslog", 3,
     "hand-edited fixture: 'MMM 22' (no such month), 'Mar 23 Wrong line...' (no time), "
     "'Nov 18 01:15:43: ---' (a colon glued to the stamp)"},
    {"plaso/syslog_chromeos", "syslog", 0, NULL},
    {"plaso/syslog_rsyslog", "syslog", 0, NULL},
    {"plaso/syslog_rsyslog_ForwardFormat", "syslog", 0, NULL},
    {"plaso/syslog_rsyslog_SysklogdFileFormat", "syslog", 0, NULL},
    {"plaso/syslog_rsyslog_SyslogProtocol23Format", "syslog", 0, NULL},
    {"plaso/syslog_rsyslog_TraditionalForwardFormat", "syslog", 0, NULL},
    {"local-generated/puppet/last_run_report.json", "puppet", 0, NULL},
    {"local-generated/puppet/last_run_report.yaml", "puppet", 0, NULL},
    {"local-generated/puppet/puppet-apply.json", "puppet", 0, NULL},
    {"local-generated/puppet/puppet-apply.log", "puppet", 0, NULL},
    {"local-generated/puppet/reports/vm/202611210418.json", "puppet", 0, NULL},
    {"local-generated/puppet/reports/vm/202611210418.yaml", "puppet", 0, NULL},
    {"local-generated/puppet/reports/vm/202611210419.json", "puppet", 0, NULL},
    {"local-generated/puppet/reports/vm/202611210419.yaml", "puppet", 0, NULL},
    {"local-generated/puppet/reports/vm/202611210421.json", "puppet", 0, NULL},
    {"local-generated/puppet/reports/vm/202611210421.yaml", "puppet", 0, NULL},
    {"puppet-agent-exporter/last_run_report-5.4.0.yaml", "puppet", 0, NULL},
    {"puppet-agent-exporter/last_run_report-6.28.0.yaml", "puppet", 0, NULL},
    {"puppet-agent-exporter/last_run_report-7.32.1.yaml", "puppet", 0, NULL},
    {"puppet-agent-exporter/last_run_report-8.8.1.yaml", "puppet", 0, NULL},
    {"puppet-foreman/report-2.6.12-noops.yaml", "puppet", 0, NULL},
    {"puppet-foreman/report-2.6.2-debug.yaml", "puppet", 0, NULL},
    {"puppet-foreman/report-3.5.1-catalog-errors.yaml", "puppet", 0, NULL},
    {"puppet-foreman/report-empty.yaml", "puppet", 0, NULL},
    {"puppet-foreman/report-format-3.yaml", "puppet", 0, NULL},
    {"puppet-foreman/report-format-6.json", "puppet", 0, NULL}, /* Foreman's own JSON shape */
    {"puppet-foreman/report-format-6.yaml", "puppet", 0, NULL},
    {"puppet/report2.6.x.yaml", "puppet", 0, NULL},
    {"puppetdb/pg1.vm-304bebf8e5fc109ced84e8b086f9bcf8324f3d78.json", "puppet", 0, NULL},
};

static void every_file_detected_and_parsed(void **state)
{
    (void)state;
    const char *root = getenv("PMT_CORPUS");
    char base[512], conf[700];
    snprintf(base, sizeof(base), "%s", root && *root ? root : "../shared/corpus");
    snprintf(conf, sizeof(conf), "%s/SOURCES.md", base);
    if (access(conf, R_OK) != 0) {
        skip(); /* no corpus in this checkout */
    }
    snprintf(conf, sizeof(conf), "%s/local-generated/nginx/nginx.conf", base);
    size_t checked = 0;
    for (size_t i = 0; i < PMT_ARRAY_LEN(corpus); i++) {
        char path[700], out[600];
        snprintf(path, sizeof(path), "%s/%s", base, corpus[i].file);
        if (access(path, R_OK) != 0) {
            fail_msg("%s: listed but missing from the corpus", corpus[i].file);
        }
        const char *paths[] = {path};
        struct pmt_opts o = {.paths = paths, .npaths = 1, .all = 1, .tz = "UTC"};
        o.parser.nginx_conf = conf; /* the custom formats of the nginx that wrote them */
        snprintf(out, sizeof(out), "%s/out.txt", tu_tmpdir());
        int fd = open(out, O_CREAT | O_TRUNC | O_WRONLY, 0600);
        char *err = NULL;
        size_t elen;
        FILE *ef = open_memstream(&err, &elen);
        int rc = pmt_run(&o, fd, ef);
        fclose(ef);
        close(fd);
        char want[200];
        snprintf(want, sizeof(want), "(%s): ", corpus[i].format);
        if (rc != 0 || !strstr(err, want)) {
            fail_msg("%s: expected %s (rc %d):\n%s", corpus[i].file, corpus[i].format, rc, err);
        }
        snprintf(want, sizeof(want), ", %d unparsed", corpus[i].unparsed);
        if (!strstr(err, want)) {
            fail_msg("%s: expected %d unparsed (%s):\n%s", corpus[i].file, corpus[i].unparsed,
                     corpus[i].why ? corpus[i].why : "nothing in it is broken", err);
        }
        free(err);
        checked++;
    }
    print_message("%zu corpus files detected and parsed as expected\n", checked);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_file_detected_and_parsed),
    };
    int failed = cmocka_run_group_tests_name("corpus", tests, NULL, NULL);
    tu_cleanup();
    return failed;
}
