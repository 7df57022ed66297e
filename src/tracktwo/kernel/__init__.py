"""The kernel: settings, errors, messages and input rules every other layer builds on."""
