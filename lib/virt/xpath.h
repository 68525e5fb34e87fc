/* virt/xpath.h: reading libvirt's XML (domains, networks) with XPath. */
#ifndef CLOUDCTL_VIRT_XPATH_H
#define CLOUDCTL_VIRT_XPATH_H

#include <libxml/xpath.h>

/* The string value of an XPath expression, as a new string; NULL when empty. */
char *virt_xpath_str(xmlXPathContextPtr ctx, const char *expr);

#endif
