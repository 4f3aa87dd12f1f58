#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H

/* libxml2's ICU headers clash with Foundation's: read the version header
 * first, switch ICU off, then include the rest. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/relaxng.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlreader.h>

/* xmlFree is a global function pointer: Swift cannot call it directly. */
static inline void clibxml2_free(void *ptr) { xmlFree(ptr); }

#endif
