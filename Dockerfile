FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings to load; this key exists only for the build step.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --home /app netmon && chown -R netmon /app/.run
USER netmon
EXPOSE 8000
CMD ["python", "-m", "NetWorkMonitor.processes", "web", "--host", "0.0.0.0", "--port", "8000"]
