# config.mk: written by ./configure from config.mk.in; do not edit.
VERSION = 0.1.0
CC = gcc
prefix = /usr/local
CURL_CFLAGS = -I/usr/include/x86_64-linux-gnu 
CURL_LIBS = -lcurl 
JANSSON_CFLAGS = 
JANSSON_LIBS = -ljansson 
VIRT_CFLAGS = 
VIRT_LIBS = -lvirt 
GIT2_CFLAGS = 
GIT2_LIBS = -lgit2 
OPENSSL_CFLAGS = 
OPENSSL_LIBS = -lssl -lcrypto 
YAML_CFLAGS = 
YAML_LIBS = -lyaml 
XML_CFLAGS = -I/usr/include/libxml2 
XML_LIBS = -lxml2 
