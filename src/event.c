/* Severity names and the words people write for them. */
#include <strings.h>

#include "pmt/event.h"

static const char *const names[] = {"emerg",   "alert",  "crit", "err",
                                    "warning", "notice", "info", "debug"};

const char *pmt_severity_name(int sev)
{
    return sev >= 0 && sev < (int)PMT_ARRAY_LEN(names) ? names[sev] : NULL;
}

int pmt_severity_parse(const char *p, size_t len)
{
    static const struct {
        const char *word;
        int sev;
    } words[] = {
        {"emerg", PMT_SEV_EMERG},     {"emergency", PMT_SEV_EMERG}, {"panic", PMT_SEV_EMERG},
        {"fatal", PMT_SEV_CRIT},      {"alert", PMT_SEV_ALERT},     {"crit", PMT_SEV_CRIT},
        {"critical", PMT_SEV_CRIT},   {"err", PMT_SEV_ERR},         {"error", PMT_SEV_ERR},
        {"severe", PMT_SEV_ERR},      {"warn", PMT_SEV_WARNING},    {"warning", PMT_SEV_WARNING},
        {"notice", PMT_SEV_NOTICE},   {"info", PMT_SEV_INFO},       {"information", PMT_SEV_INFO},
        {"informational", PMT_SEV_INFO}, {"debug", PMT_SEV_DEBUG},  {"trace", PMT_SEV_DEBUG},
    };
    for (size_t i = 0; i < PMT_ARRAY_LEN(words); i++) {
        if (strlen(words[i].word) == len && strncasecmp(words[i].word, p, len) == 0) {
            return words[i].sev;
        }
    }
    return PMT_SEV_NONE;
}
