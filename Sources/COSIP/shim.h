// Static-inline wrappers for oSIP's function-like macros, which Swift cannot import.
#ifndef CCENGINE_COSIP_SHIM_H
#define CCENGINE_COSIP_SHIM_H
#include <stdlib.h>
#include <string.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>
#include <osipparser2/sdp_message.h>

static inline void cc_osip_free(void *p) { osip_free(p); }
static inline char *cc_osip_strdup(const char *s) { return osip_strdup(s); }
static inline int cc_osip_is_request(const osip_message_t *m) { return m->sip_method != NULL; }
static inline const char *cc_generic_param_get(osip_list_t *params, const char *name, int *found) {
    osip_generic_param_t *p = NULL;
    if (osip_generic_param_get_byname(params, (char *)name, &p) != 0 || p == NULL) { *found = 0; return NULL; }
    *found = 1;
    return p->gvalue;
}
#endif
