# describe of configuration objects: a ConfigMap (values shown), a Secret (sizes only), a
# Namespace (with no quota or limit range), a ServiceAccount.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  color: blue
  nginx.conf: |
    server {
      listen 80;
    }
EOF2
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Secret
metadata:
  name: db-creds
  labels:
    app: db
type: Opaque
stringData:
  username: admin
  password: s3cr3t!
EOF2
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: ServiceAccount
metadata:
  name: builder
imagePullSecrets:
- name: regcred
EOF2
kubectl describe configmap app
kubectl describe secret db-creds
kubectl describe namespace default
kubectl describe sa builder
kubectl describe serviceaccount default -n kube-system
