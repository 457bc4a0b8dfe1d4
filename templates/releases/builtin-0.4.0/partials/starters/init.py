{%- if operator == "kuberay" -%}
"""{{ name }}: a starter project for AIchor's {{ operator }} operator."""
# Local-run settings for Ray (token auth, uv-run workers) live in
# scripts/ray_local.py: nothing here changes how the driver runs on AIchor.
{%- else -%}
"""{{ name }}: a starter project for AIchor's {{ operator }} operator.

Importing the package caps the threads of numpy, torch and XLA to this container's CPU
quota (Kubernetes' limit, not the node's CPU count), before any of them loads.
"""

{% include "starters/threads.py" %}
{%- endif %}
