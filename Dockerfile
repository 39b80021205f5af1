FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
# python-ldap (directory sign-in) is built against OpenLDAP's and SASL's headers and runs on their libraries.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libldap2-dev libsasl2-dev \
    && pip install --no-cache-dir -r requirements.txt \
    && apt-get purge -y gcc libldap2-dev libsasl2-dev && apt-get autoremove -y \
    && apt-get install -y --no-install-recommends libldap-2.5-0 libsasl2-2 && rm -rf /var/lib/apt/lists/*
COPY . .
# collectstatic needs settings to load; this key exists only for the build step.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --home /app netmon && chown -R netmon /app/.run
USER netmon
EXPOSE 8000
CMD ["python", "-m", "NetWorkMonitor.processes", "web", "--host", "0.0.0.0", "--port", "8000"]
