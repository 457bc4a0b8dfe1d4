"""{{ name }}: a starter project for AIchor's {{ operator }} operator."""
{%- if operator == "kuberay" %}
# Local-run settings for Ray (token auth, uv-run workers) live in
# scripts/ray_local.py: nothing here changes how the driver runs on AIchor.
{%- endif %}
